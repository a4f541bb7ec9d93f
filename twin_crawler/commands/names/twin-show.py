"""``scrapy twin-show``: the command in :mod:`twin_crawler.commands.twin_show`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_show


class Command(twin_show.Command):
    __doc__ = twin_show.Command.__doc__
