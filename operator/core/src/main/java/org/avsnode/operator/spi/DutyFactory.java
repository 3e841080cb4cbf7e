package org.avsnode.operator.spi;

/**
 * Entry point of a duty module. Each duty contributes its factory to the node's catalog through its
 * own Dagger module ({@code @Provides @IntoMap @StringKey(id)}, e.g. {@code MachModule}); adding a
 * duty means adding its module to the binary's component, with no change to another duty or to the
 * core.
 */
public interface DutyFactory {

  /** The identifier of the duties this factory creates; unique across the installed duties. */
  String id();

  /** One line for operators, shown in {@code --help} and in the node API. */
  String description();

  /** Creates the duty; the context holds everything a duty may use from the node. */
  Duty create(DutyContext context);
}
