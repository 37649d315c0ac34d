"""DCAT-AP 3 descriptions of the catalogue and its datasets (Turtle, JSON-LD, RDF/XML) with Hydra paging."""
