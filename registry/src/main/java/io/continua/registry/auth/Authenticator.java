package io.continua.registry.auth;

import io.continua.schemas.errors.ServiceException;
import java.util.List;
import java.util.Optional;

/** Finds the token a request presents ({@code Authorization: Bearer <secret>}) and checks its role. */
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
        Optional<ApiToken> token = identify(authorization);
        if (token.isEmpty()) {
            throw new ServiceException(ServiceException.Kind.UNAUTHENTICATED, "unauthorized", "This needs a bearer token with the " + role(required)
                    + " role (Authorization: Bearer <token>)");
        }
        if (!token.get().role().allows(required)) {
            throw new ServiceException(ServiceException.Kind.FORBIDDEN, "forbidden", "Token '" + token.get().name() + "' has the "
                    + role(token.get().role()) + " role; this needs " + role(required));
        }
        return token.get();
    }

    private Optional<ApiToken> identify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = ApiToken.hash(authorization.substring(7).trim());
        ApiToken found = null;
        for (ApiToken token : tokens) {
            if (token.matches(presented) && found == null) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    private static String role(Role role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }
}
