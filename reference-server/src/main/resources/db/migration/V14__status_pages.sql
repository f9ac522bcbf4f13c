-- Public status pages (docs/status-pages.md): the page's definition is JSON, as the API reads and writes it.
CREATE TABLE status_pages (
    id         VARCHAR(36)  PRIMARY KEY,
    slug       VARCHAR(64)  NOT NULL UNIQUE,
    definition TEXT         NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
