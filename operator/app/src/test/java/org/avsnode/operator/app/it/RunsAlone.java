package org.avsnode.operator.app.it;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integration test class whose assertions depend on timing that a second test running on
 * the same two cores could upset (SQUAD's 2-second takeover windows, the chaos run's heights):
 * while it runs, failsafe's other JVM starts no test class, and it starts only once that JVM's
 * current class has ended. See {@link SideBySide}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RunsAlone {
  /** Why this class cannot share the machine; shown when it waits. */
  String value();
}
