namespace Onward.Contracts.Tokens;

/// <summary>A device sign-in started (<c>POST /api/v1/login/device</c>): the code the person confirms where, and the handle the CLI polls with.</summary>
public sealed record DeviceSignInResponse(string Handle, string UserCode, string VerificationUri, string? VerificationUriComplete, int ExpiresIn, int Interval);

/// <summary>A device sign-in confirmed: the CLI's session (a bearer for the API while it lasts) and who it is.</summary>
public sealed record DeviceSessionResponse(string Session, string Name);
