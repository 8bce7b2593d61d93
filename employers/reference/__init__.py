"""Reference lists of the registry: regions and economic sectors, with names in every portal language."""
