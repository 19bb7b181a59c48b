import { describe, expect, it } from 'vitest';
import { isNonPublicAddress, urlHost } from './outbound-address';

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '2001:db8::1',
    'localhost',
    'example.com',
    '',
    '1.2.3',
    '::ffff:1.2.3.4.5',
  ])('%s is refused', (a) => {
    expect(isNonPublicAddress(a)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s is public', (a) => {
    expect(isNonPublicAddress(a)).toBe(false);
  });

  it('reads the host of bracketed IPv6 URLs as the URL parser normalises them', () => {
    expect(urlHost(new URL('http://[::ffff:127.0.0.1]:8080/x'))).toBe('::ffff:7f00:1');
    expect(isNonPublicAddress(urlHost(new URL('http://[::ffff:127.0.0.1]/')))).toBe(true);
    expect(urlHost(new URL('http://2130706433/'))).toBe('127.0.0.1');
    expect(urlHost(new URL('http://0x7f.1/'))).toBe('127.0.0.1');
  });
});
