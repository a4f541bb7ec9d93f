"""``scrapy twin-export``: the command in :mod:`twin_crawler.commands.twin_export`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_export


class Command(twin_export.Command):
    __doc__ = twin_export.Command.__doc__
