"""``scrapy twin-schedule``: the command in :mod:`twin_crawler.commands.twin_schedule`, named for COMMANDS_MODULE."""

from twin_crawler.commands import twin_schedule


class Command(twin_schedule.Command):
    __doc__ = twin_schedule.Command.__doc__
