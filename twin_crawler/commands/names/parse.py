"""``scrapy parse``: the command in :mod:`twin_crawler.commands.parse`, named for COMMANDS_MODULE."""

from twin_crawler.commands import parse


class Command(parse.Command):
    __doc__ = parse.Command.__doc__
