"""Crawling on more than one machine: a shared Redis frontier (scrapy-redis), per-host politeness
shared through Redis, workers that each write their own WARCs into one shared catalog."""
