"""Registration only: the viewsets and menu items live in daiban.viewsets."""
