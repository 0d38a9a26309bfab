"""Satu Data portal extension of Pemerintah Kota Balikpapan for CKAN."""

__version__ = "0.1.0"
