/** The HS256 secret every test stack's API verifies tokens with (test-stack.ts, fake-api.ts). */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789-abcdefghijklmnop';
