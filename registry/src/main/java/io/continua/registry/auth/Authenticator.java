package io.continua.registry.auth;

import io.continua.schemas.errors.ServiceException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Finds the token a request presents and checks its role: {@code Authorization: Bearer <secret>}, and
 * for the schemas API also HTTP basic authentication with the secret as password (any user name),
 * which is what Schema Registry clients in every language send. (Elsewhere basic authentication is
 * refused: browsers keep basic credentials and send them unasked.)
 */
public final class Authenticator {
    private final List<ApiToken> tokens;

    public Authenticator(List<ApiToken> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /**
     * The caller's token if it has {@code required}; 401 without a valid token, 403 with one that
     * lacks the role. Every configured token is compared, so timing does not tell which matched.
     */
    public ApiToken require(String authorization, Role required) {
        return require(authorization, required, false);
    }

    /** As {@link #require(String, Role)}, taking the token as a basic authentication password too. */
    public ApiToken requireFromSchemaClient(String authorization, Role required) {
        return require(authorization, required, true);
    }

    private ApiToken require(String authorization, Role required, boolean basicAllowed) {
        Optional<ApiToken> token = identify(authorization, basicAllowed);
        if (token.isEmpty()) {
            throw new ServiceException(ServiceException.Kind.UNAUTHENTICATED, "unauthorized", "This needs a bearer token with the " + role(required)
                    + " role (Authorization: Bearer <token>" + (basicAllowed
                    ? ", or basic authentication with the token as password)" : ")"));
        }
        if (!token.get().role().allows(required)) {
            throw new ServiceException(ServiceException.Kind.FORBIDDEN, "forbidden", "Token '" + token.get().name() + "' has the "
                    + role(token.get().role()) + " role; this needs " + role(required));
        }
        return token.get();
    }

    private Optional<ApiToken> identify(String authorization, boolean basicAllowed) {
        Optional<String> secret = secret(authorization, basicAllowed);
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = ApiToken.hash(secret.get());
        ApiToken found = null;
        for (ApiToken token : tokens) {
            if (token.matches(presented) && found == null) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    private static Optional<String> secret(String authorization, boolean basicAllowed) {
        if (authorization == null) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        if (basicAllowed && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String userInfo = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = userInfo.indexOf(':');
                return colon < 0 ? Optional.empty() : Optional.of(userInfo.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String role(Role role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }
}
