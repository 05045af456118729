"""A Temporal PayloadCodec for the kms-aes256gcm/v1 format, written from docs/payload-encryption.md
alone (cryptography + boto3 + the Temporal Python SDK), to prove a Python worker can read and write
what the TypeScript codec does.

Run as a script: reads {"endpoint", "region", "keyId", "payloads": [base64 Payload]} on stdin, decodes
the payloads and converts them with the SDK's default converter, encodes "pythonValue" with this
codec, and prints {"values": [...], "encoded": base64 Payload}.
"""

import asyncio
import base64
import json
import os
import sys
from typing import Iterable, List

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

FORMAT = b"kms-aes256gcm/v1"
CONTEXT = {"temporal-payload-format": "kms-aes256gcm/v1"}


class KmsAes256GcmCodec(PayloadCodec):
    def __init__(self, kms, key_id: str) -> None:
        self.kms = kms
        self.key_id = key_id
        self.keys = {}

    async def encode(self, payloads: Iterable[Payload]) -> List[Payload]:
        data_key = self.kms.generate_data_key(KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
        out = []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, payload.SerializeToString(), FORMAT)
            out.append(
                Payload(
                    metadata={
                        "encoding": b"binary/encrypted",
                        "encryption-format": FORMAT,
                        "encryption-key-id": data_key["KeyId"].encode(),
                        "encryption-data-key": data_key["CiphertextBlob"],
                    },
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Iterable[Payload]) -> List[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != b"binary/encrypted" or "encryption-format" not in payload.metadata:
                out.append(payload)
                continue
            if payload.metadata["encryption-format"] != FORMAT:
                raise ValueError("unsupported format " + payload.metadata["encryption-format"].decode())
            key_id = payload.metadata["encryption-key-id"].decode()
            encrypted_key = payload.metadata["encryption-data-key"]
            if (key_id, encrypted_key) not in self.keys:
                answer = self.kms.decrypt(CiphertextBlob=encrypted_key, KeyId=key_id, EncryptionContext=CONTEXT)
                self.keys[(key_id, encrypted_key)] = answer["Plaintext"]
            data = payload.data
            plaintext = AESGCM(self.keys[(key_id, encrypted_key)]).decrypt(data[:12], data[12:], FORMAT)
            out.append(Payload.FromString(plaintext))
        return out


async def main() -> None:
    request = json.load(sys.stdin)
    kms = boto3.client(
        "kms",
        endpoint_url=request["endpoint"],
        region_name=request["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    codec = KmsAes256GcmCodec(kms, request["keyId"])
    payloads = [Payload.FromString(base64.b64decode(p)) for p in request["payloads"]]
    decoded = await codec.decode(payloads)
    converter = DataConverter.default.payload_converter
    values = converter.from_payloads(decoded)
    [encoded] = await codec.encode(converter.to_payloads([request["pythonValue"]]))
    print(json.dumps({"values": values, "encoded": base64.b64encode(encoded.SerializeToString()).decode()}))


if __name__ == "__main__":
    asyncio.run(main())
