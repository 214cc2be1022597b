"""newsarchive: the archive layer — record files, index, diff, near-duplicates, export.

Imports :mod:`normalize`, never Scrapy.
"""
