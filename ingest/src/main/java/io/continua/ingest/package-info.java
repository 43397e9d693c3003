/** Continua ingest: see DESIGN.md; filled by its own issue. */
package io.continua.ingest;
