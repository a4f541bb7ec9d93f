"""``scrapy twin-report``: the command in :mod:`twin_crawler.commands.twin_report`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_report


class Command(twin_report.Command):
    __doc__ = twin_report.Command.__doc__
