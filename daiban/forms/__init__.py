"""Forms of the portal, one module per capability."""
