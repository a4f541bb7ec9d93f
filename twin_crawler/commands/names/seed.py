"""``scrapy seed``: the command in :mod:`twin_crawler.commands.seed`, named for COMMANDS_MODULE."""

from twin_crawler.commands import seed


class Command(seed.Command):
    __doc__ = seed.Command.__doc__
