"""The dashboard's pages, one module each (Dash Pages: page-prefixed ids, layout as a function)."""
