"""Views of the portal: public pages and admin pages, one module per capability."""
