/** Continua trainer: see DESIGN.md; filled by its own issue. */
package io.continua.trainer;
