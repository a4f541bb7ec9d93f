"""COMMANDS_MODULE: one module per command *name*, for checkouts where the ``scrapy.commands`` entry points
(pyproject.toml) are not installed. Scrapy names a COMMANDS_MODULE command after its module, and ``twin-show``
is not an importable module name, so the commands live in importable modules one level up
(``twin_crawler.commands.twin_show``) and these files only give them their names.
"""
