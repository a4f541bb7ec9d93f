"""The ``twin_*`` request-meta keys: one constant per key, so a key is spelled once and its readers can be found.

Every key is set on a request by the spiders (mostly ``TwinSpider.request``) or the author middleware and read
back on the response, in a middleware or in an errback. Values stay plain (str, int, bool, dict, tuple): requests
must remain picklable for JOBDIR and the Redis frontier.
"""

from __future__ import annotations

# Set on every spider request (spiders/base.py ``request``); the callback itself is a spider method.
LINK = "twin_link"  # the user/discovered link this request settles in the ledger (None: a helper request)
PLATFORM = "twin_platform"  # the platform whose crawl made the request ("article" when absent)

# The author and failure policy.
USER = "twin_user"  # the author's stored full name, passed from a seed to every child request
ALLOW_STATUS = "twin_allow_status"  # statuses the block middleware passes to the callback unjudged
BROWSER_OK = "twin_browser_ok"  # False: never retry this request in the browser after a block
LISTING = "twin_listing"  # True: one page yields many posts, so a document is not aliased to the page's link

# Handle discovery (spiders/base.py ``handle_meta``).
HANDLE = "twin_handle"  # the -a handle this discovery request is for
HANDLE_LINK = "twin_handle_link"  # the link whose ledger row a failed discovery becomes (profile URL)

# Generic article discovery (spiders/article.py).
SEED = "twin_seed"  # True: the page is a link the user gave (not one found by discovery)
DISCOVERY = "twin_discovery"  # the Discovery in progress (listing, feeds, sitemaps, posts, depth) as a plain dict

# Medium.
MEDIUM_HANDLE = "twin_medium_handle"  # the @handle whose profile page lists post ids
MEDIUM_PREVIEW = "twin_medium_preview"  # the feed entry of a post, the fallback when the post page is walled

# Substack.
SUB_BASE = "twin_sub_base"  # the publication base URL an archive page belongs to
SUB_OFFSET = "twin_sub_offset"  # the archive page's offset (pagination)
SUB_AUTHOR = "twin_sub_author"  # the publication's author ident (ids, names) that decides whose posts are kept
SUB_HANDLE = "twin_sub_handle"  # the handle whose profile is being looked up

# LinkedIn.
POST_KEY = "twin_key"  # which post of a page the link names (activity id / slug)

# GitHub.
REPO = "twin_repo"  # the repository (dict from the API listing) a request is about
LOGIN = "twin_login"  # the GitHub login whose repositories are being listed
NEXT = "twin_next"  # the listing URL to fetch once the profile answered
DECIDING = "twin_deciding"  # the handle meta carried to the listing that decides whether the handle exists
RATE_LIMIT_WAITS = "twin_rate_limit_waits"  # how many times this API request waited for a rate-limit reset
