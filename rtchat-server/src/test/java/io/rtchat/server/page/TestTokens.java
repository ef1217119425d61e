package io.rtchat.server.page;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.crypto.SecretKey;

/** Chat tokens as a website would mint them: HS256 with the server's JWT.SecretKey. */
final class TestTokens {

  private final SecretKey key;

  TestTokens(String secret) {
    this.key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** A token for {@code sub} valid for ten minutes, with extra claims (op, img, nick, ...). */
  String token(String sub, Map<String, ?> claims) {
    Instant now = Instant.now();
    return Jwts.builder()
        .subject(sub)
        .claims(claims)
        .issuedAt(Date.from(now))
        .expiration(Date.from(now.plus(Duration.ofMinutes(10))))
        .signWith(key, Jwts.SIG.HS256)
        .compact();
  }
}
