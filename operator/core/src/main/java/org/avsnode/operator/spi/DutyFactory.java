package org.avsnode.operator.spi;

/**
 * Service-provider entry point of a duty module, discovered with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/org.avsnode.operator.spi.DutyFactory} file in the duty's jar). Adding a
 * duty means adding a jar: no other duty and no core code changes.
 */
public interface DutyFactory {

  /** The identifier of the duties this factory creates; unique across the installed duties. */
  String id();

  /** One line for operators, shown in {@code --help} and in the node API. */
  String description();

  /** Creates the duty; the context holds everything a duty may use from the node. */
  Duty create(DutyContext context);
}
