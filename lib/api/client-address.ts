/**
 * The edge (lib/api/edge.ts) decides who the client is, honouring TANDEM_TRUST_PROXY, and
 * writes it into this request header, replacing whatever a client sent; pages and server
 * actions read it from there.
 */
export const CLIENT_ADDRESS_HEADER = "x-tandem-client-address";
