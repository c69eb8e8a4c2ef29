def connect() -> None:
    from portal import pagecache

    pagecache.connect()
