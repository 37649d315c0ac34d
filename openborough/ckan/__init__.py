"""The CKAN action API (``/api/3/action/{name}``): the catalogue and its data
as CKAN 2.10 packages, resources and DataStore tables, for data.gov.uk's
harvester and every CKAN client."""
