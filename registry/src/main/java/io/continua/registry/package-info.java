/** Continua registry: see DESIGN.md; filled by its own issue. */
package io.continua.registry;
