# Password hashes made by other libraries than Gatehouse's, for the import tests: Debian's python3-bcrypt and
# python3-argon2 (argon2-cffi), and Python's hashlib (OpenSSL) for scrypt and PBKDF2 in the PHC / passlib / Django
# forms. Reads [{"scheme": …, "password": …}, …] as JSON on standard input, writes the hashes as a JSON list.
import base64, hashlib, json, os, sys
import bcrypt
import argon2
from argon2.low_level import Type, hash_secret

def b64(b):  # PHC B64: standard alphabet, no padding
    return base64.b64encode(b).decode().rstrip('=')

def make(scheme, password):
    pw = password.encode('utf-8')
    salt = os.urandom(16)
    if scheme == 'bcrypt-2b':
        return bcrypt.hashpw(pw, bcrypt.gensalt(4)).decode()
    if scheme == 'bcrypt-2a':
        return bcrypt.hashpw(pw, bcrypt.gensalt(4, prefix=b'2a')).decode()
    if scheme == 'bcrypt-2y':  # PHP's name for the same algorithm
        return '$2y$' + bcrypt.hashpw(pw, bcrypt.gensalt(4)).decode()[4:]
    if scheme == 'argon2id':
        return argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(password)
    if scheme == 'argon2i':
        return hash_secret(pw, salt, time_cost=2, memory_cost=512, parallelism=1, hash_len=32, type=Type.I).decode()
    if scheme == 'scrypt':
        key = hashlib.scrypt(pw, salt=salt, n=2 ** 10, r=8, p=1, dklen=32)
        return f'$scrypt$ln=10,r=8,p=1${b64(salt)}${b64(key)}'
    if scheme == 'pbkdf2-sha256':
        key = hashlib.pbkdf2_hmac('sha256', pw, salt, 1000)
        return f'$pbkdf2-sha256$i=1000,l=32${b64(salt)}${b64(key)}'
    if scheme == 'pbkdf2-sha512-passlib':  # passlib's form: bare rounds, adapted base64 ("." for "+")
        key = hashlib.pbkdf2_hmac('sha512', pw, salt, 1000)
        return f'$pbkdf2-sha512$1000${b64(salt).replace("+", ".")}${b64(key).replace("+", ".")}'
    if scheme == 'pbkdf2-django':
        text_salt = base64.b32encode(salt).decode().rstrip('=')[:22]
        key = hashlib.pbkdf2_hmac('sha256', pw, text_salt.encode(), 1000)
        return f'pbkdf2_sha256$1000${text_salt}${base64.b64encode(key).decode()}'
    raise SystemExit(f'unknown scheme {scheme}')

print(json.dumps([make(j['scheme'], j['password']) for j in json.load(sys.stdin)]))
