"""Pieces the pages share: graph styles from the kinds table, the legend, source panels, pickers.

Pure builders of Dash components from plain data; they import graphmodel's kinds and each other, never
a page."""
