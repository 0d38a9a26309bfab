"""Small things every room of the extension shares, like CKAN's own ``ckan/lib``: the UI
language, a time-limited cache, text cleaning and safe fetching of resource files. Nothing
here knows a Satu Data concept."""
