package io.rtchat.server;

import io.rtchat.identity.KeyDirectory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The key directory of rtchat-identity at {@code /api/keys}: peers register a name with a public
 * key on proof of possession, and look up others' keys. Kept in memory only, like everything else
 * the server knows.
 */
public final class KeyDirectoryExtension implements ServerExtension {

  public static final String PATH = "/api/keys";

  private final KeyDirectory directory;

  /** For {@link java.util.ServiceLoader}: a directory with default limits. */
  public KeyDirectoryExtension() {
    this(KeyDirectory.builder().build());
  }

  public KeyDirectoryExtension(KeyDirectory directory) {
    this.directory = directory;
  }

  @Override
  public String name() {
    return "key directory at " + PATH;
  }

  @Override
  public void mount(Mounts mounts) {
    mounts.handler(PATH, new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String body = HttpSupport.body(request, KeyDirectory.MAX_BODY_CHARS);
        if (body == null) {
          HttpSupport.text(response, callback, 413, "application/json; charset=utf-8",
              "{\"error\":\"request body over " + KeyDirectory.MAX_BODY_CHARS + " bytes\"}\n");
          return true;
        }
        KeyDirectory.Reply reply = directory.handle(request.getMethod(),
            Request.getPathInContext(request), body);
        HttpSupport.text(response, callback, reply.status(), "application/json; charset=utf-8",
            reply.json());
        return true;
      }
    });
  }
}
