"""``scrapy twin-deadletters``: the command in :mod:`twin_crawler.commands.twin_deadletters`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_deadletters


class Command(twin_deadletters.Command):
    __doc__ = twin_deadletters.Command.__doc__
