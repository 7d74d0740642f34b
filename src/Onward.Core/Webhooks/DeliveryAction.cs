namespace Onward.Core.Webhooks;

public enum DeliveryAction
{
    Build,
    Ignore,
}
