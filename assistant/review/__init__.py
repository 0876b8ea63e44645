"""`assistant review`: a question bank in, a pack a reviewer can sign off out (HTML, CSV, JSON),
and, given the previous pack, what a change to the library did to the answers."""
