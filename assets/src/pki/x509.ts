// The only door to @peculiar/x509 in this project. The library resolves its
// ASN.1 services through tsyringe, which needs the Reflect metadata API loaded
// before the library itself; importing it here guarantees that order.
import 'reflect-metadata';

export * from '@peculiar/x509';
