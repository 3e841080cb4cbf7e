/**
 * SQUAD sequencing: stake-weighted slot schedule, signed preconfirmations, forced inclusion and
 * follower attestations (DESIGN.md §7).
 *
 * <p>A duty depends only on the operator's core API (org.avsnode.operator.spi and the services it
 * names), never on another duty or on the binary; the build checks this rule.
 */
package org.avsnode.squad;
