"""Pieces the pages share: graph styles from the kinds table, the legend, source panels, pickers."""
