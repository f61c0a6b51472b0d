"""The auth and token routes' contract: the bodies they read and the JSON they answer with, as pydantic models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from auth.tokens import DEFAULT_EXPIRES_IN_DAYS, MAX_EXPIRES_IN_DAYS, MAX_NAME_LENGTH, PREFIX

# Strict: a number is not a password, nor null an email.
_STRICT = ConfigDict(strict=True)


class LoginRequest(BaseModel):
    model_config = _STRICT

    email: str = Field(min_length=1, pattern=r"\S")
    password: str = Field(min_length=1)


class PasswordChangeRequest(BaseModel):
    model_config = _STRICT

    currentPassword: str = Field(min_length=1)  # noqa: N815
    newPassword: str = Field(description="At least the server's minimum length (MIN_PASSWORD_LENGTH).")  # noqa: N815


class AccountDeletionRequest(BaseModel):
    model_config = _STRICT

    currentPassword: str = Field(min_length=1)  # noqa: N815


class TokenRequest(BaseModel):
    """Read as sent: auth.tokens.parse_token_request checks both and words the refusal."""

    model_config = ConfigDict(json_schema_extra={"required": ["name"]})

    name: Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH})] = None
    expiresInDays: Annotated[  # noqa: N815
        Any,
        WithJsonSchema(
            {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_EXPIRES_IN_DAYS,
                "description": f"Days until the token stops working; {DEFAULT_EXPIRES_IN_DAYS} when left out.",
            }
        ),
    ] = None


class UserJson(BaseModel):
    model_config = ConfigDict(title="User")

    id: int
    email: str


class UserAnswer(BaseModel):
    user: UserJson


class AccountDeleted(BaseModel):
    status: str
    documentsPurged: int  # noqa: N815


class TokenJson(BaseModel):
    model_config = ConfigDict(title="Token")

    id: int
    name: str
    createdAt: str  # noqa: N815
    expiresAt: str  # noqa: N815
    lastUsedAt: str | None  # noqa: N815


class CreatedTokenJson(TokenJson):
    model_config = ConfigDict(title="CreatedToken")

    token: str = Field(pattern=f"^{PREFIX}", description="The secret, shown this once only.")


class CreatedTokenAnswer(BaseModel):
    token: CreatedTokenJson


class TokenList(BaseModel):
    tokens: list[TokenJson]
