/** Continua serving: see DESIGN.md; filled by its own issue. */
package io.continua.serving;
