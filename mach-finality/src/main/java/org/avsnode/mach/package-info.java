/**
 * MACH fast finality: follows each configured rollup's L2 head, signs FinalityAttestations through
 * the protected signer, aggregates them into finality certificates and serves them (DESIGN.md §5,
 * §7).
 *
 * <p>A duty depends only on the operator's core API (org.avsnode.operator.spi and the services it
 * names), never on another duty or on the binary; the build checks this rule.
 */
package org.avsnode.mach;
