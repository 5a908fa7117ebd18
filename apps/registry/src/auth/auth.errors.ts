export enum AuthErrorCode {
  Unauthenticated = 'AUTH_UNAUTHENTICATED',
  Forbidden = 'AUTH_FORBIDDEN',
}

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export function forbidden(message: string): AuthError {
  return new AuthError(AuthErrorCode.Forbidden, message);
}
