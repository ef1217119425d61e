package io.rtchat.cli;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import picocli.CommandLine;

/**
 * Lets picocli create commands through Guice. Commands are bound explicitly in {@link CliModule};
 * anything else picocli asks for (converters, completion candidates) comes from its default
 * factory.
 */
final class GuiceFactory implements CommandLine.IFactory {

  private final Injector injector;

  GuiceFactory(Injector injector) {
    this.injector = injector;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    if (injector.getExistingBinding(com.google.inject.Key.get(type)) != null) {
      try {
        return injector.getInstance(type);
      } catch (ConfigurationException e) {
        // fall through
      }
    }
    return CommandLine.defaultFactory().create(type);
  }
}
