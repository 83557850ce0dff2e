# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration of the zvmo documentation: scripts/htmldocs.sh
# builds it with Debian's python3-sphinx and nothing else.

project = 'zvmo'
author = 'The zvmo developers'
copyright = 'The zvmo developers'
version = '0.1.0'
release = version

root_doc = 'index'
source_suffix = '.rst'
# The man pages are built on their own (roff, not HTML).
exclude_patterns = ['man', 'man/**', '_build', 'Thumbs.db', '.DS_Store']

# Literal blocks are diagrams and shell lines unless marked otherwise.
highlight_language = 'none'
primary_domain = 'c'
default_role = None
# Every cross-reference must resolve.
nitpicky = True

html_theme = 'alabaster'
html_theme_options = {
    'description': 'Zircon-style virtual memory objects for Linux',
    'page_width': '1100px',
    'sidebar_width': '240px',
}
html_sidebars = {
    '**': ['about.html', 'navigation.html', 'relations.html',
           'searchbox.html'],
}
html_title = 'zvmo ' + version
html_show_sourcelink = False
html_copy_source = False
