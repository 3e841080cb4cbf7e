package org.avsnode.operator.app.run;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;
import org.avsnode.operator.node.DutyCatalog;
import org.avsnode.operator.spi.DutySupervisor;

/** The duty modules on the binary's class path, found with {@link java.util.ServiceLoader}. */
@Module
final class DutyCatalogModule {
  private DutyCatalogModule() {}

  @Provides
  @Singleton
  static DutyCatalog catalog() {
    return new DutyCatalog(
        DutySupervisor.installedFactories(DutyCatalogModule.class.getClassLoader()));
  }
}
