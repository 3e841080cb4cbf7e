/**
 * VITAL verification: re-derives the output roots rollups post to L1 from the operator's own L2
 * node and signs OutputVerdicts (DESIGN.md §7).
 *
 * <p>A duty depends only on the operator's core API (org.avsnode.operator.spi and the services it
 * names), never on another duty or on the binary; the build checks this rule.
 */
package org.avsnode.vital;
