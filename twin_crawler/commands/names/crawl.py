"""``scrapy crawl``: the command in :mod:`twin_crawler.commands.crawl`, named for COMMANDS_MODULE."""

from twin_crawler.commands import crawl


class Command(crawl.Command):
    __doc__ = crawl.Command.__doc__
