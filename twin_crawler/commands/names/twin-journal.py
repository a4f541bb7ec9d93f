"""``scrapy twin-journal``: the command in :mod:`twin_crawler.commands.twin_journal`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_journal


class Command(twin_journal.Command):
    __doc__ = twin_journal.Command.__doc__
