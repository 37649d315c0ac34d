"""The kinds of portal a harvest reads: Socrata, CKAN and DCAT feeds."""
